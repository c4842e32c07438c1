-- The conversations (Rasa's tracker store) live beside the reports, in their own database.
CREATE DATABASE balagh_conversations;
