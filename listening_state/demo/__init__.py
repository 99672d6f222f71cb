"""Demonstration content: real government bodies, labelled demo drafts and real Pol.is data."""
