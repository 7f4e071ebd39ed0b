"""What every Docket service stands on: its settings, the runtime that owns its engine, relay, consumer and
background work, the HTTP app with health, metrics, limits and request logging and tracing, the database
engine and migrations, and the service's command line. Built on docket_messaging; imports nothing of a service.
"""
