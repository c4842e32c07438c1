"""The desk: the staff API, the notification dispatcher and the scheduler (port 8080)."""
