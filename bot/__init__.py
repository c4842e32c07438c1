"""Balagh: an Arabic assistant for the Digital Report service (بلاغ رقمي)."""
