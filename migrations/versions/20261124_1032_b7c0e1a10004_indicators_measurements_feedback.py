"""indicators, measurements and feedback to residents

Revision ID: b7c0e1a10004
Revises: b6b0e1a10003
Create Date: 2026-11-24 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c0e1a10004'
down_revision = 'b6b0e1a10003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
