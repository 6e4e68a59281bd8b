"""The returns round: who has returned their pack, a reminder to who has not, what falls due."""
