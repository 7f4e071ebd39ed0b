"""Case: each case is an event-sourced aggregate; the only writer of the case stream."""
