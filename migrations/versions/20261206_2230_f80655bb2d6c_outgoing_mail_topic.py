"""outgoing mail says what it is about, so that purging an event deletes its mail

Revision ID: f80655bb2d6c
Revises: e16a5b0c0016
Create Date: 2026-12-06 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f80655bb2d6c'
down_revision = 'e16a5b0c0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=40), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_outgoing_mail_topic'), ['topic'], unique=False)
    # mail about an event so far: every such message carries the event's calendar entry, and so its UID
    mail = sa.table('outgoing_mail', sa.column('ics', sa.Text()), sa.column('topic', sa.String(40)))
    event = sa.table('event', sa.column('id', sa.Integer()), sa.column('uid', sa.String(64)))
    connection = op.get_bind()
    for event_id, uid in connection.execute(sa.select(event.c.id, event.c.uid)).all():
        connection.execute(mail.update().where(mail.c.ics.contains(f'UID:{uid}', autoescape=True))
                           .values(topic=f'event:{event_id}'))
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.alter_column('topic', existing_type=sa.String(length=40), server_default=None)


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_topic'))
        batch_op.drop_column('topic')
