"""The ASGI app that uvicorn imports: configuration from the environment."""

from app import logs
from app.http import heap
from app.main import create_app
from app.settings import Settings

settings = Settings.from_env()
logs.configure(settings.log_level)
app = create_app(settings)
heap.settle()
