"""One APIRouter per area of the public surface (see CONTRACT.md)."""
