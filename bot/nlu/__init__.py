"""Thai NLU components for Rasa (tokenizer, featurizers, intent classifier,
service-scope classifier). Importing them changes nothing in Rasa itself:
bot/rasa_ext does that, explicitly, at start."""
