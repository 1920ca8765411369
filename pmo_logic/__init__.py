"""pmo-xl's engine: the workbook contract, readers and writers, and the PMO computations.

Never imports xlwings: the Excel layer lives in the ``addin`` package.
"""

__version__ = "0.1.0"
