"""the municipality's languages, logo, colour and own statements

Revision ID: 6830ede06145
Revises: c3efded0f18b
Create Date: 2026-12-06 20:27:50.444693

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6830ede06145'
down_revision = 'c3efded0f18b'
branch_labels = None
depends_on = None


def upgrade():
    # server defaults fill the row an installation has already
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default='["sv", "da", "en"]'))
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_type', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('logo_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('accent_color', sa.String(length=7), nullable=False, server_default='#005a8c'))
        batch_op.add_column(sa.Column('privacy_controller', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('privacy_dpo', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('privacy_purposes', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('privacy_retention', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('privacy_complaints', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('accessibility_shortcomings', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('accessibility_reviewed_on', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('accessibility_reviewed_on')
        batch_op.drop_column('accessibility_shortcomings')
        batch_op.drop_column('privacy_complaints')
        batch_op.drop_column('privacy_retention')
        batch_op.drop_column('privacy_purposes')
        batch_op.drop_column('privacy_dpo')
        batch_op.drop_column('privacy_controller')
        batch_op.drop_column('accent_color')
        batch_op.drop_column('logo_hash')
        batch_op.drop_column('logo_type')
        batch_op.drop_column('logo')
        batch_op.drop_column('languages')

