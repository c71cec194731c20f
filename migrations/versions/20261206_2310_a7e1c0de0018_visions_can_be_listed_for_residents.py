"""visions can be listed for residents at /vision/

Revision ID: a7e1c0de0018
Revises: f2a0c0de0017
Create Date: 2026-12-06 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e1c0de0018'
down_revision = 'f2a0c0de0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('vision', schema=None) as batch_op:
        batch_op.drop_column('published')
