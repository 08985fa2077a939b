-- Second database for the service content (DATABASE_URL of the action server).
-- Fill it once: docker compose run --rm actions python -m bot.content.importer
CREATE DATABASE service;
