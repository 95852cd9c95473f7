"""The conversation: the engine, the flows it owns, and what they share (see README,
«Arquitectura»)."""
