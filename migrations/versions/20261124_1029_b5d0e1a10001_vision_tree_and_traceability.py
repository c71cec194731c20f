"""vision tree and traceability

Revision ID: b5d0e1a10001
Revises: b5c0d1a9e001
Create Date: 2026-11-24 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5d0e1a10001'
down_revision = 'b5c0d1a9e001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
