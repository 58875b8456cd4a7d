"""matplotlib renderers of the views: each draws one frame of its view data on a figure."""
