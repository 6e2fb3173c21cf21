"""``python -m explorer`` starts the app, as ``cnn-explorer`` does."""

import sys

from explorer.app import main

sys.exit(main())
