"""The content bank: models, loader and validation."""

from .loader import Bank, BankError, Problem, UnknownItem, get_bank, load_bank

__all__ = ["Bank", "BankError", "Problem", "UnknownItem", "get_bank", "load_bank"]
