"""Thai citizen-service chatbot: custom Rasa components, content and replies."""
