"""What the browser test does with the widgets of each lesson notebook.

Notebook authors: add an entry for your notebook here.  The browser test
(tests/browser/test_jupyterlab.py) opens every notebook in notebooks/ in JupyterLab,
runs all cells, checks that no cell raised, that no widget failed to display, that every
visible control has a label and is reachable with the Tab key, and then performs these
actions in order.  A notebook without an entry is only run and checked, not clicked.

Key: the notebook's path relative to notebooks/, with forward slashes
("01-minifilter-unload.ipynb", "part2/wfp-callouts.ipynb").

Value: a list of actions.  Each action is a dict with exactly ONE of these keys:

    {"select": ("Trigger", "sc stop")}        Dropdown/Select labelled "Trigger": choose
                                              the option whose text is "sc stop"
    {"click_checkbox": "Mandatory unload"}    Checkbox with that description (toggles)
    {"click_toggle": "Verbose"}               ToggleButton with that description
    {"click_button": "Unload"}                Button with that description
    {"fill": ("Status", "0xC0000001")}        Text labelled "Status": type, then Enter
    {"select_tab": "Sequence diagram"}        Tab widget: click the tab with that title
    {"expect_text": "unloaded"}               wait until the text is visible somewhere in
                                              the notebook's outputs (substring match;
                                              text in a hidden Tab page does not count)
    {"expect_no_text": "Traceback"}           the text is not visible in the outputs
    {"expect_value": ("Status", "0x00000000")}  a Text's value, or a Dropdown's selected
                                              option, equals this
    {"check_accessibility": True}             run the label + Tab-key checks again on
                                              what is visible now (e.g. after select_tab)
    {"screenshot": "after-unload"}            an extra screenshot

and optionally:
    "nth": 1         when several visible controls have the same label (0-based, page
                     order); without it, an ambiguous label is an error
    "timeout": 60    seconds for expect_* (default 20)

Labels are matched exactly (surrounding whitespace ignored, case-sensitive) against
the widget's description; only visible controls count, so select the right tab first.
Actions run in order; the first one that fails is reported and the rest are skipped.
A typo in a key or an action fails tests/browser/test_jupyterlab.py::test_interactions_file
without starting a browser.

Example (the harness self-test uses a sample notebook with these controls):

    "01-minifilter-unload.ipynb": [
        {"expect_text": "state: loaded"},
        {"select": ("Trigger", "sc stop")},
        {"click_checkbox": "Callback refuses"},
        {"click_button": "Unload"},
        {"expect_text": "unload refused"},
        {"expect_value": ("Status", "0xC0000001")},
        {"select_tab": "Sequence diagram"},
        {"expect_text": "I/O manager"},
        {"check_accessibility": True},
    ],
"""

INTERACTIONS: dict[str, list[dict]] = {
    # --- lessons 05-07 and the playground (09) ---------------------------------------------
    # Each state below is what the notebook's own "driven from code" cells leave behind after
    # Run All; every expected text is one that no stored output already shows.
    "05-driver-entry-fails.ipynb": [
        {"expect_value": ("DriverEntry returns", "STATUS_UNSUCCESSFUL (error)")},
        {"select": ("DriverEntry returns", "STATUS_OBJECT_NAME_EXISTS (informational)")},
        {"expect_text": "fltmc-unload (non-mandatory): the minifilter was unloaded."},
        {"select": ("DriverEntry returns", "STATUS_DEVICE_BUSY (warning)")},
        {"expect_text": "DriverEntry returns STATUS_DEVICE_BUSY (0x80000011, warning), a warning status."},
        {"expect_no_text": "fltmc-unload (non-mandatory): the minifilter was unloaded."},
        {"select": ("Your prediction", "driver-entry-failed")},
        {"click_button": "Check"},
        {"expect_text": "RIGHT."},
    ],
    "06-shutdown.ipynb": [
        {"expect_value": ("Trigger", "sc stop")},
        {"select": ("Trigger", "system shutdown")},
        {"expect_text": "PreShutdown(Data, FltObjects, CompletionContext)"},
        {"expect_text": "FilterUnloadCallback is not called; the IRP_MJ_SHUTDOWN pre-operation is."},
        {"click_checkbox": "IRP_MJ_SHUTDOWN pre-operation"},
        {"expect_no_text": "PreShutdown(Data, FltObjects, CompletionContext)"},
        {"select": ("Your prediction", "shutdown")},
        {"click_button": "Check"},
        {"expect_text": "RIGHT."},
    ],
    "07-unload-routine.ipynb": [
        {"expect_value": ("Server port", "closed before FltUnregisterFilter")},
        {"click_checkbox": "Pended I/O never completed"},
        {"expect_text": "fltmc-unload (non-mandatory): the minifilter was unloaded."},
        {"select": ("Server port", "left open")},
        {"expect_text": "BUG: server port left open: FltUnregisterFilter below hangs"},
        {"expect_no_text": "fltmc-unload (non-mandatory): the minifilter was unloaded."},
        {"select_tab": "Sequence diagram"},
        {"check_accessibility": True},
        {"select": ("Your prediction", "unloaded")},
        {"click_button": "Check"},
        {"expect_text": "RIGHT."},
    ],
    # Filled in by the notebook authors, one entry per lesson notebook.
}
