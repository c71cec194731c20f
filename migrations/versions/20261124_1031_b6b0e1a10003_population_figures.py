"""population figures

Revision ID: b6b0e1a10003
Revises: b6a0e1a10002
Create Date: 2026-11-24 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6b0e1a10003'
down_revision = 'b6a0e1a10002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
