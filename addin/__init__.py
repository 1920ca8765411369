"""The thin Excel layer of pmo-xl: xlwings buttons and UDFs calling ``pmo_logic``."""
