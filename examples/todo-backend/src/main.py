"""The example todo backend: the original app's FastAPI shape, small to read.

/health/live never touches the database, so a database outage does not make
Kubernetes restart healthy pods; /health/ready does, so traffic stops while
the database is down."""

import json
import logging
import sys

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from .settings import async_url, load


class _JSONFormatter(logging.Formatter):
    def format(self, record):
        return json.dumps({"level": record.levelname, "logger": record.name, "msg": record.getMessage()})


settings = load()
_handler = logging.StreamHandler(sys.stdout)
if settings.log_format == "json":
    _handler.setFormatter(_JSONFormatter())
logging.basicConfig(level=settings.log_level, handlers=[_handler])
log = logging.getLogger("todo")

# pool_pre_ping: after a database restart the pool would otherwise hand out
# dead connections and readiness would stay red. The short connect timeout
# keeps /health/ready inside its 5 s probe timeout when the host is gone.
engine = create_async_engine(
    async_url(settings.database_url),
    pool_pre_ping=True,
    connect_args={"timeout": 3},
)

app = FastAPI(title="todo-backend")
app.add_middleware(
    CORSMiddleware,
    allow_origins=list(settings.allowed_origins),
    allow_methods=["*"],
    allow_headers=["*"],
)


class TodoIn(BaseModel):
    title: str
    done: bool = False


def _row(r):
    return {"id": r.id, "title": r.title, "done": r.done}


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.get("/health/live")
async def live():
    return {"status": "alive"}


@app.get("/health/ready")
async def ready():
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the DB means not ready
        log.warning("readiness: database unreachable: %s", type(exc).__name__)
        return JSONResponse(status_code=503, content={"status": "unavailable", "database": "down"})
    return {"status": "ready", "database": "up"}


@app.get("/api/todos")
async def list_todos():
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, title, done FROM todos ORDER BY id"))
        return [_row(r) for r in rows]


@app.post("/api/todos", status_code=201)
async def create_todo(todo: TodoIn):
    if not todo.title.strip():
        raise HTTPException(status_code=422, detail="title must not be empty")
    async with engine.begin() as conn:
        rows = await conn.execute(
            text("INSERT INTO todos (title, done) VALUES (:title, :done) RETURNING id, title, done"),
            {"title": todo.title, "done": todo.done},
        )
        return _row(rows.one())


@app.patch("/api/todos/{todo_id}")
async def toggle_todo(todo_id: int):
    async with engine.begin() as conn:
        rows = await conn.execute(
            text("UPDATE todos SET done = NOT done WHERE id = :id RETURNING id, title, done"),
            {"id": todo_id},
        )
        row = rows.one_or_none()
    if row is None:
        raise HTTPException(status_code=404, detail=f"todo {todo_id} not found")
    return _row(row)


@app.delete("/api/todos/{todo_id}", status_code=204)
async def delete_todo(todo_id: int):
    async with engine.begin() as conn:
        rows = await conn.execute(text("DELETE FROM todos WHERE id = :id RETURNING id"), {"id": todo_id})
        if rows.one_or_none() is None:
            raise HTTPException(status_code=404, detail=f"todo {todo_id} not found")
