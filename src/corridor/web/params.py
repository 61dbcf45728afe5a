"""Parameters that several routes share, with their bounds: path and query parameters of the API,
and the signed-in person and the form fields of the pages.

A page form's own fields are a form model read by web.forms.typed, capped at the limits the form
states (its `maxlength`, the record schema's): a value over one comes back on the same form,
said beside its field. A field a route reads on its own (a form a page acts with) is refused as
a whole: back to the page it was posted from, with the mistake said (web.app). The caps a single
form needs of its own stay beside that form."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Path, Query

from corridor.schemas import MAX_INT32, MAX_INT64
from corridor.web.auth import Auth, page_auth

# The position of an attachment in its record (past the last one answers 404).
AttachmentIndex = Annotated[int, Path(ge=0, le=MAX_INT32)]
# How many rows of a listing to skip.
Offset = Annotated[int, Query(ge=0, le=MAX_INT64)]

# The person signed in to a page (a session; CSRF checked on every form post).
PageAuth = Annotated[Auth, Depends(page_auth)]
# A line of a page form (a reference, a place, a note).
Line = Annotated[str, Form(max_length=1000)]
# Why a record is withdrawn (the reason its tombstone carries).
Reason = Annotated[str, Form(max_length=500)]
# Checkboxes of one name: the values ticked (none ticked sends nothing).
Checked = Annotated[list[str] | None, Form()]
# A record's labels as a page form posts them (select values), capped above what the labels
# allow: a wrong value is reported by the labels, on the re-rendered form.
Tlp = Annotated[str, Form(max_length=16)]
Handling = Annotated[str, Form(max_length=4)]
Purpose = Annotated[str, Form(max_length=32)]
# A title or a subject.
Title = Annotated[str, Form(max_length=300)]
# A name (of a person, a unit, a group, a token) and what describes it.
Name = Annotated[str, Form(max_length=200)]
Description = Annotated[str, Form(max_length=2000)]
