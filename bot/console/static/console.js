/* The console works without JavaScript; this file only draws the dashboard charts. */
