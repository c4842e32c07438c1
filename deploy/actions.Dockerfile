# Balagh's action server: the official Rasa SDK image at our version.
FROM rasa/rasa-sdk:3.6.2
USER root
WORKDIR /app
COPY deploy/requirements-actions.txt /app/requirements-actions.txt
# compiled from deploy/requirements-actions.in at the main lock's versions, with hashes
RUN pip install --no-cache-dir --require-hashes -r /app/requirements-actions.txt
COPY bot /app/bot
COPY resources /app/resources
ENV PYTHONPATH=/app
USER 1001
# rasa_sdk's server behind the token Rasa sends (bot/actions/server.py).
ENTRYPOINT []
CMD ["python", "-m", "bot.actions.server", "-p", "5055"]
