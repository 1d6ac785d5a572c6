"""The customer family: enrolment, profiles, look-ups and searches, secrets and their lockout, the archive.

Rule modules are named after what they hold (``fields``, ``access``, ``lockout``, ``secrets``, ``archive``); handler
modules after the calls they answer (``record_customer``, ``customer_search``, ...), each handler function after its
call.
"""
