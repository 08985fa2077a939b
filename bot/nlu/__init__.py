"""Thai NLU components for Rasa (tokenizer, featurizer).

Every process that loads this bot's model imports this package, so it also
installs `bot.speedups` (small fixes to Rasa's per-message path).
"""

from bot import speedups

speedups.install()
