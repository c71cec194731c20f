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
    op.create_table(
        'population_figure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('locality_id', sa.Integer(), nullable=False),
        sa.Column('age_band', sa.String(length=10), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['locality_id'], ['locality.id'], name=op.f('fk_population_figure_locality_id_locality'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_population_figure')),
        sa.UniqueConstraint('locality_id', 'age_band', name=op.f('uq_population_figure_locality_id_age_band')),
    )


def downgrade():
    op.drop_table('population_figure')
