# Balagh's Rasa server (and the desk and migrations, which need the same code): the
# official Rasa image at our version, plus our pinned extras, plus the project.
FROM rasa/rasa:3.6.21-full
USER root
WORKDIR /app
COPY requirements.txt /app/requirements.txt
# Rasa's own pins are already satisfied; this adds twilio, python-telegram-bot, alembic...
RUN pip install --no-cache-dir -r /app/requirements.txt && pip check
COPY bot /app/bot
COPY channels /app/channels
COPY resources /app/resources
COPY domain /app/domain
COPY config.yml /app/config.yml
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false
RUN mkdir -p /app/var /data/media && chown -R 1001 /app/var /data/media
USER 1001
ENTRYPOINT []
CMD ["python", "-m", "bot.ops.cli", "rasa-server"]
