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
        {"expect_text": "Right: unloaded after DriverEntry failed."},
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
        {"expect_text": "Right: not called at shutdown."},
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
        {"expect_text": "Right: unloaded."},
    ],
    "08-wfp-callout.ipynb": [
        {"expect_value": ("Driver model", "KMDF non-PnP (EvtDriverUnload)")},
        {"click_checkbox": "Unload function set"},
        {"expect_text": "[KMDF framework -> callout driver] EvtDriverUnload(Driver)"},
        {"select": ("Flow contexts", "left in place")},
        {"expect_text": "the image was unloaded with 2 callouts still registered"},
        {"select_tab": "C code"},
        {"expect_text": "BUG: the rest stay registered"},
        {"select": ("Your prediction", "hazard")},
        {"click_button": "Check"},
        {"expect_text": "Right: unloaded with callouts still registered."},
    ],
    "09-playground.ipynb": [
        {"expect_value": ("Server port", "left open")},
        {"select": ("Server port", "closed before FltUnregisterFilter")},
        {"expect_text": "sc-stop (mandatory): the minifilter was unloaded."},
        {"select": ("Flow contexts", "removed before unregistering")},
        {"expect_text": "sc-stop: every callout was unregistered and the driver was unloaded."},
        {"select": ("Trigger", "system shutdown"), "nth": 0},
        {"expect_text": "System shutdown: FilterUnloadCallback is not called."},
    ],
    # --- start here and lessons 01-04 ------------------------------------------------------
    # Same convention: each starting state is what the notebook's "driven from code" cells
    # leave behind after Run All; every expected text is one no stored output already shows.
    "00-start-here.ipynb": [
        {"expect_value": ("Callback returns", "STATUS_SUCCESS (success)")},
        {"select": ("Callback returns", "STATUS_DEVICE_BUSY (warning)")},
        {"expect_text": "Outcome: REFUSED"},
        {"expect_text": "Unload failed with error: (HRESULT not documented)"},
    ],
    "01-register-callback.ipynb": [
        {"expect_value": ("Trigger", "fltmc unload")},
        {"click_checkbox": "FilterUnloadCallback registered"},
        {"expect_text": "fltmc-unload (non-mandatory): the minifilter was unloaded."},
        {"select": ("Trigger", "sc stop")},
        {"expect_text": "sc-stop (mandatory): the minifilter was unloaded."},
        {"click_checkbox": "FilterUnloadCallback registered"},
        {"expect_text": "[SC] ControlService FAILED 1052:"},
        {"expect_no_text": "sc-stop (mandatory): the minifilter was unloaded."},
        {"select": ("Your prediction", "shutdown")},
        {"click_button": "Check"},
        {"expect_text": "Right:"},
    ],
    "02-non-mandatory.ipynb": [
        {"expect_value": ("Callback returns (hex)", "0xNOT-HEX")},
        {"fill": ("Callback returns (hex)", "0x40000001")},
        {"expect_text": "FltUnloadFilter (non-mandatory): the minifilter was unloaded."},
        {"select": ("Callback returns", "STATUS_FLT_DO_NOT_DETACH (error)")},
        {"expect_text": "The requester got: NTSTATUS STATUS_FLT_DO_NOT_DETACH (0xC01C0010, error)"},
        {"expect_no_text": "FltUnloadFilter (non-mandatory): the minifilter was unloaded."},
        {"select": ("Trigger", "sc stop")},
        {"expect_text": "sc-stop (mandatory): the minifilter was unloaded."},
        {"select": ("Your prediction", "unloaded")},
        {"click_button": "Check"},
        {"expect_text": "Right:"},
    ],
    "03-mandatory.ipynb": [
        {"expect_value": ("Trigger", "ControlService(SERVICE_CONTROL_STOP)")},
        {"select": ("Trigger", "FltUnloadFilter (driver)")},
        {"expect_text": "The requester got: NTSTATUS STATUS_FLT_DO_NOT_DETACH (0xC01C0010, error)"},
        {"select": ("Trigger", "net stop")},
        {"expect_text": "net-stop (mandatory): the minifilter was unloaded."},
        {"expect_no_text": "The requester got: NTSTATUS STATUS_FLT_DO_NOT_DETACH (0xC01C0010, error)"},
        {"select": ("Your prediction", "failed")},
        {"click_button": "Check"},
        {"expect_text": "Right:"},
    ],
    "04-service-stop-opt-out.ipynb": [
        {"expect_value": ("Trigger", "net stop")},
        {"select": ("Trigger", "sc stop")},
        {"expect_text": "sc-stop (mandatory): the minifilter was unloaded."},
        {"click_checkbox": "DO_NOT_SUPPORT_SERVICE_STOP"},
        {"expect_text": "[SC] ControlService FAILED 1052:"},
        {"expect_no_text": "sc-stop (mandatory): the minifilter was unloaded."},
        {"select": ("Trigger", "FilterUnload (application)")},
        {"expect_text": "FilterUnload (non-mandatory): the minifilter was unloaded."},
        {"select": ("Your prediction", "failed")},
        {"click_button": "Check"},
        {"expect_text": "Right:"},
    ],
    # --- practice (10) and the capstone (11) -------------------------------------------------
    # Notebook 10 holds six exercise widgets, in this order: predict (the rules level), find the
    # bug, put it in order, complete the routine, diagnosis, and a session at the routine level.
    # Each has a Seed box, New problem and Check, so those labels take "nth" (0: predict).
    # No stored output shows feedback, so every text below can only come from the live widgets.
    # tests/browser/test_exercises.py answers one exercise of each kind by keyboard.
    "10-practice.ipynb": [
        {"fill": ("Seed", "16"), "nth": 0},
        {"expect_text": "seed 16"},
        {"select": ("Your prediction", "unloaded")},
        {"click_button": "Check", "nth": 0},
        {"expect_text": "The rule you missed is nonmandatory-refusal"},
        {"select": ("Your prediction", "refused")},
        {"click_button": "Check", "nth": 0},
        {"expect_text": "Right: refused."},
        {"expect_text": "This session: 1 of 1 problem answered right"},
        {"click_button": "Show the trace"},
        {"expect_text": "Deciding rule: nonmandatory-refusal"},
        {"click_button": "New problem", "nth": 0},
        {"expect_text": "seed 17"},
        {"expect_no_text": "Right: refused."},
        {"check_accessibility": True},
    ],
    # Notebook 11: a first wrong check only nudges (no rule named); the second names the rule;
    # a right answer starts "Right." with a period.
    "11-why-wont-my-driver-stop.ipynb": [
        {"select": ("Diagnosis for case-2", "opted-out-of-service-stop")},
        {"click_button": "Check case-2"},
        {"expect_text": "Not this one. No breakpoint in the driver was hit"},
        {"expect_no_text": "it rests on do-not-support-service-stop"},
        {"click_button": "Check case-2"},
        {"expect_text": "it rests on do-not-support-service-stop, which does not apply here"},
        {"select": ("Diagnosis for case-2", "no-unload-callback")},
        {"click_button": "Check case-2"},
        {"expect_text": "Right. The minifilter registers no FilterUnloadCallback"},
        {"select": ("Diagnosis for case-6", "flow-contexts-left")},
        {"click_button": "Check case-6"},
        {"expect_text": "Right. Flows still carry contexts"},
    ],
    # Filled in by the notebook authors, one entry per lesson notebook.
}
