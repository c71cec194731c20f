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
    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('direction', sa.Enum('higher', 'lower', name='direction', native_enum=False, length=10), nullable=False),
    sa.Column('baseline_value', sa.Double(), nullable=True),
    sa.Column('baseline_year', sa.Integer(), nullable=True),
    sa.Column('target_value', sa.Double(), nullable=False),
    sa.Column('target_year', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Enum('yearly', 'half_yearly', 'quarterly', name='frequency', native_enum=False, length=12), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('committee', sa.String(length=200), nullable=False),
    sa.Column('kolada_kpi', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['node_id'], ['vision_node.id'], name=op.f('fk_indicator_node_id_vision_node'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('node_id', name=op.f('uq_indicator_node_id'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_kolada_kpi'), ['kolada_kpi'], unique=False)

    op.create_table('measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('value_women', sa.Double(), nullable=True),
    sa.Column('value_men', sa.Double(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_measurement_indicator_id_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement')),
    sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_measurement_indicator_id_period'))
    )
    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('vision_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_follow_up_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vision_id'], ['vision.id'], name=op.f('fk_follow_up_vision_id_vision'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up')),
    sa.UniqueConstraint('process_id', name=op.f('uq_follow_up_process_id'))
    )


def downgrade():
    op.drop_table('follow_up')
    op.drop_table('measurement')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_kolada_kpi'))
    op.drop_table('indicator')
