"""One pack per governance body: the update form, the email draft, the manifest and the sent record."""
