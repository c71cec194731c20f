"""drop the version counters: no process keeps copies of questionnaires or the municipality any more

Revision ID: c1d0e1a10005
Revises: b7c0e1a10004
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1d0e1a10005'
down_revision = 'b7c0e1a10004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('version')


def downgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
