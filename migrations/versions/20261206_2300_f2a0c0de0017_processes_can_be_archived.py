"""processes can be archived: out of the public lists, still at their address

Revision ID: f2a0c0de0017
Revises: d85b17b63d5a
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a0c0de0017'
down_revision = 'd85b17b63d5a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_column('archived')
