"""The run engine: commands become events, a pure fold turns events into state."""
