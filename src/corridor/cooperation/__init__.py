"""Cooperation among practitioners: contact points, alerts, requests for assistance, joint
case spaces and notifications (issue 5)."""
