"""suggestion runs keep their measure: hits at 1 and 3 with intervals, in all and per language

Revision ID: e16a5b0c0016
Revises: a7e1c0de0018
Create Date: 2026-12-06 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e16a5b0c0016'
down_revision = 'a7e1c0de0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestion_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('suggestion_run', schema=None) as batch_op:
        batch_op.drop_column('measure')
