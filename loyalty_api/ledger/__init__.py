"""The ledger: sales, loads, visits, redemptions, reversals, balances and receipts.

Rule modules are named after what they hold (``rules``, ``redemption``, ``receipt``, ``entries``); handler modules
after the calls they answer (``record_activity``, ``redeem``, ``customer_balance``, ``transaction_delete``).
"""
