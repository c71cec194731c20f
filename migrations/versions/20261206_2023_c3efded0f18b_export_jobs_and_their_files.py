"""export jobs and their files: exports from the staff page are built in the background, kept for a day

Revision ID: c3efded0f18b
Revises: f801da2f92a6
Create Date: 2026-12-06 20:23:34.812548

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3efded0f18b'
down_revision = 'f801da2f92a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'export_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('submission_key', sa.String(length=64), nullable=False),
        sa.Column('dataset', sa.String(length=40), nullable=False),
        sa.Column('format', sa.String(length=20), nullable=False),
        sa.Column('args', sa.JSON(), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('personal', sa.Boolean(), nullable=False),
        sa.Column('filename', sa.String(length=120), nullable=False),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False,
                                    length=10), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('chunk_size', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_export_job_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job')),
        sa.UniqueConstraint('submission_key', name=op.f('uq_export_job_submission_key')),
    )
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_job_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_job_user_id'), ['user_id'], unique=False)

    op.create_table(
        'export_chunk',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['export_job.id'], name=op.f('fk_export_chunk_job_id_export_job'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('job_id', 'sequence', name=op.f('pk_export_chunk')),
    )


def downgrade():
    op.drop_table('export_chunk')
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_job_user_id'))
        batch_op.drop_index(batch_op.f('ix_export_job_created_at'))
    op.drop_table('export_job')
