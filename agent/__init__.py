"""Agent: dialogue state, planners, LLM backends, explanation composer and verifier."""
