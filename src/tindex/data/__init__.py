"""The data layer: read and check the CSV files of a data directory, resolve country names."""

from tindex.data.dataset import Dataset, validate
from tindex.data.reader import Problem

__all__ = ["Dataset", "Problem", "validate"]
