"""The agent's tools: typed functions registered in one registry."""
