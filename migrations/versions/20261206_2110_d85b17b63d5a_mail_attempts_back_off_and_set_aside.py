"""outgoing mail: attempts back off, and a message that keeps failing is set aside

Revision ID: d85b17b63d5a
Revises: 6830ede06145
Create Date: 2026-12-06 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd85b17b63d5a'
down_revision = '6830ede06145'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('set_aside_at', sa.DateTime(timezone=True), nullable=True))
    mail = sa.table('outgoing_mail', sa.column('created_at', sa.DateTime(timezone=True)),
                    sa.column('next_attempt_at', sa.DateTime(timezone=True)),
                    sa.column('set_aside_at', sa.DateTime(timezone=True)), sa.column('sent_at', sa.DateTime(timezone=True)),
                    sa.column('attempts', sa.Integer()))
    # what is queued is due at once; what the old limit of 20 attempts gave up on is set aside
    op.execute(mail.update().values(next_attempt_at=mail.c.created_at))
    op.execute(mail.update().where(mail.c.sent_at.is_(None), mail.c.attempts >= 20)
               .values(set_aside_at=mail.c.created_at))
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f('ix_outgoing_mail_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_next_attempt_at'))
        batch_op.drop_column('set_aside_at')
        batch_op.drop_column('next_attempt_at')
