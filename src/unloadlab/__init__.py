"""Unload Lab: how Windows unloads minifilter and WFP callout drivers, simulated and cited."""
