# Balagh's Rasa server (and the desk and migrations, which need the same code): the
# official Rasa image at our version, plus the lock, plus the project. Not `-full`: it adds
# spaCy, MITIE and transformers, which no pipeline of ours (config.yml, bench/) uses.
FROM rasa/rasa:3.6.21
USER root
WORKDIR /app
COPY requirements.txt /app/requirements.txt
# The lock (compiled from requirements.in, docs/dependencies.md), every file checked by its
# hash: what the image has at the lock's versions stays, the rest (twilio's and Telegram's
# clients, alembic, prometheus-client...) is installed at the lock's versions.
RUN pip install --no-cache-dir --require-hashes -r /app/requirements.txt && pip check
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
