"""api tokens

Revision ID: b6a0e1a10002
Revises: b5d0e1a10001
Create Date: 2026-11-24 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6a0e1a10002'
down_revision = 'b5d0e1a10001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
