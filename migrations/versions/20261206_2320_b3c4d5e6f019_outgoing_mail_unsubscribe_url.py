"""outgoing mail may carry a List-Unsubscribe address (RFC 8058 one-click)

Revision ID: b3c4d5e6f019
Revises: f80655bb2d6c
Create Date: 2026-12-06 23:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3c4d5e6f019'
down_revision = 'f80655bb2d6c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=500), nullable=False, server_default=''))
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.alter_column('unsubscribe_url', existing_type=sa.String(length=500), server_default=None)


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')
