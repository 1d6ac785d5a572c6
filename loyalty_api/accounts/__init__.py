"""Accounts and their users: who may call, with which key, in which role."""
