"""Controllers: the glue between the document's models, the one worker and the views.

``explorer`` (the explorer's request path and the live feed) and one controller per tab beside
it (see :mod:`explorer.ui.tab`). A controller listens to its model and to the picture being
explored, sends work to its worker, drops stale results and hands the newest to its view.
"""
