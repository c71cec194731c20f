"""events are run by staff: they (and admins) see the names of its sign-ups

Revision ID: a27d94f3d340
Revises: b3c4d5e6f019
Create Date: 2026-12-06 23:56:12

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a27d94f3d340'
down_revision = 'b3c4d5e6f019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event_staff',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_staff_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_event_staff_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_event_staff')),
    )
    # Before this, every organizer saw every event's sign-ups: every active organizer runs the events
    # there are, so nobody loses access on upgrade. Admins take people off where that is too many.
    op.execute(
        "INSERT INTO event_staff (event_id, user_id) "
        "SELECT event.id, \"user\".id FROM event CROSS JOIN \"user\" "
        "WHERE \"user\".role = 'organizer' AND \"user\".active"
    )


def downgrade():
    op.drop_table('event_staff')
