      'combodo-telephony-integration' => array (
                // List here the parameters provided in the URL
                'url_parameters' => array (
                  'phone' => 'phone',
                ),
                // This section defines how to retrieve in iTop the contacts related to the given parameters
                'caller_information' => array (
                  'label' => 'Contacts with phone number $phone$',
                  'label/FR FR' => 'Contacts ayant le numéro de téléphone $phone$',
                  'query' => 'SELECT Person WHERE phone LIKE :phone OR mobile_phone LIKE :phone',
                  'display_name' => 'friendlyname, org_name, location_name', // Specify how to display them
                ),
                // Should you wish to directly open a ticket when receiving a call, then this section is for you
                'direct_creation' => array (
                  'UserRequest' => array (
                    'enabled' => false,
                    'preset' => array (
                      'org_id' => 'SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller',
                      'caller_id' => ':selected_caller',
                      'origin' => 'phone',
                      'public_log' => 'Call from customer dated $datetime$',
                    ),
                  ),
                ),
                // This section defines the different list of tickets that you'd like to see upon the reception of the call
                'indirect_creation' => array (
                  'UserRequest' => array (
                    'enabled' => false,
                    'preset' => array (
                      'org_id' => 'SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller',
                      'caller_id' => ':selected_caller',
                      'origin' => 'phone',
                      'public_log' => 'Call from customer dated $datetime$',
                    ),
                  ),
                  'Incident' => array (
                    'enabled' => true,
                    'preset' => array (
                      'org_id' => 'SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller',
                      'caller_id' => ':selected_caller',
                      'origin' => 'phone',
                      'public_log' => 'Call from customer dated $datetime$',
                    ),
                  ),
                  'Change' => array (
                    'enabled' => true,
                    'preset' => array (
                      'org_id' => 'SELECT Organization AS o JOIN Person AS p ON p.org_id = o.id WHERE p.id = :selected_caller',
                      'caller_id' => ':selected_caller',
                      'origin' => 'phone',
                      'private_log' => 'Call from customer dated $datetime$',
                    ),
                  ),
                  'Person' => array (
                    'enabled' => true,
                    'preset' => array (
                      'phone' => ':phone',
                    ),
                  ),
                ),
                // This section defines the different list of tickets that you'd like to see upon the reception of the call
                'display_tickets' => array (
                  'lists' => array (
                    0 => array (
                      'enabled' => true,
                      'label' => 'User Requests opened for this caller',
                      'query' => 'SELECT UserRequest AS u WHERE u.caller_id IN (:callers_list) AND u.status != \'closed\'',
                    ),
                    1 => array (
                      'enabled' => true,
                      'label' => 'User Requests opened for the organization of the caller',
                      'label/FR FR' => 'Demandes utilisateurs de l\'organisation de l\'appelant',
                      'query' => 'SELECT UserRequest AS u JOIN Organization AS o ON u.org_id = o.id JOIN Person AS p ON p.org_id = o.id WHERE p.id IN (:callers_list) AND u.status != \'closed\'',
                    ),
                    2 => array (
                      'enabled' => true,
                      'label' => 'Problems opened for this caller',
                      'label/FR FR' => 'Problèmes ouverts par l\'appelant',
                      'query' => 'SELECT Problem AS u WHERE u.caller_id IN (:callers_list) AND u.status != \'closed\'',
                    ),
                    3 => array (
                      'enabled' => true,
                      'label' => 'Incidents opened for this caller',
                      'label/FR FR' => 'Incidents ouverts par l\'appelant',
                      'query' => 'SELECT Incident AS u WHERE u.caller_id IN (:callers_list) AND u.status != \'closed\'',
                    ),
                  ),
                ),
                // Define here how to launch an outbound call from a ticket, using the caller's parameters
                'ecall_parameters' => array (
                  'url' => 'https://myctiserver/index.php',
                  'url_parameters' => array (
                    'telephone' => 'phone',
                    'mailaddress' => 'email',
                  ),
                ),
        ),
