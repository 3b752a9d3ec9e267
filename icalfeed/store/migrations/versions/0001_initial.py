"""The first schema: releases, descriptions, events, cached VEVENTs, feeds, store state.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from icalfeed.store.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("source", sa.Text()),
        sa.Column("feed_url", sa.Text()),
        sa.Column("feed_item_id", sa.Text()),
        sa.Column("message_id", sa.Text()),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("published", sa.Date()),
        sa.Column("parser_version", sa.String(40)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text()),
        sa.Column("parsed_at", UTCDateTime()),
        sa.Column("parse_seconds", sa.Float()),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_releases"),
        sa.UniqueConstraint("content_hash", name="uq_releases_content_hash"),
    )
    op.create_index("ix_releases_outcome", "releases", ["outcome"])

    op.create_table(
        "descriptions",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(255), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("status_rank", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("review", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.PrimaryKeyConstraint("release_id", "uid", name="pk_descriptions"),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name="fk_descriptions_release_id_releases"
        ),
    )
    op.create_index("ix_descriptions_uid", "descriptions", ["uid"])
    op.create_index("ix_descriptions_review", "descriptions", ["review"])

    op.create_table(
        "events",
        sa.Column("uid", sa.String(255), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("ticker", sa.String(32)),
        sa.Column("issuer_name", sa.Text()),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("tzid", sa.String(64)),
        sa.Column("start_utc", UTCDateTime()),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("sort_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_modified", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("uid", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name="fk_events_release_id_releases"
        ),
    )
    op.create_index("ix_events_state_start_date", "events", ["state", "start_date"])
    op.create_index("ix_events_ticker", "events", ["ticker"])

    op.create_table(
        "vevents",
        sa.Column("uid", sa.String(255), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(64), nullable=False),
        sa.Column("ics", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("uid", "sequence", "variant", name="pk_vevents"),
        sa.ForeignKeyConstraint(["uid"], ["events.uid"], name="fk_vevents_uid_events"),
    )

    op.create_table(
        "feeds",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("checked_at", UTCDateTime()),
        sa.Column("status", sa.Integer()),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("url", name="pk_feeds"),
    )

    op.create_table(
        "feed_items",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("feed_url", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("release_id", sa.Integer()),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_feed_items"),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name="fk_feed_items_release_id_releases"
        ),
    )
    op.create_index("ix_feed_items_release_id", "feed_items", ["release_id"])

    op.create_table(
        "store_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_modified", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_store_state"),
    )
    op.execute(
        "INSERT INTO store_state (id, version, last_modified) VALUES (1, 0, '1970-01-01 00:00:00')"
    )


def downgrade() -> None:
    for table in ("store_state", "feed_items", "feeds", "vevents", "events", "descriptions"):
        op.drop_table(table)
    op.drop_table("releases")
